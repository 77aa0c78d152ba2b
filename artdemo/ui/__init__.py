"""What only Streamlit needs: cached loaders, the error guard and page widgets.

Everything a page shows is computed in artdemo.app, which Gradio shares.
"""
