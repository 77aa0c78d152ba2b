"""What only Streamlit needs: its caches (cache.py), the error guard (errors.py), page widgets
(widgets.py), the launcher that warms the models before the server listens (serve.py), and
what keeps Streamlit's per-run habits off the shared models: no Keras reset after each run
(keras_state.py).

Everything a page shows is computed in artdemo.app, which Gradio shares.
"""
