"""artdemo: how machines see art.

The package holds everything the Streamlit app, the Gradio app, the CLI and the
tests share; the front ends only lay things out.
"""

__version__ = "0.1.0"
