"""The app core that Streamlit and Gradio share: it knows neither of them."""
