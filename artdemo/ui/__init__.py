"""What only Streamlit needs: its caches (cache.py), the error guard (errors.py) and page widgets
(widgets.py).

Everything a page shows is computed in artdemo.app, which Gradio shares.
"""
