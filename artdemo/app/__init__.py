"""The app core that Streamlit (app.py, pages/) and Gradio (gradio_app.py) share; it knows neither.

One job per module:
- words: everything said more than once (routes, verdicts, sources, methods, tasks, messages);
- artworks: getting an artwork in, and what it is called (never a file name);
- pictures: decoding with a message, thumbnails; framing: the artwork found in a photo;
- inference: predictions and maps through the process's one inference service
  (service, maps, map_store, warmup, timings);
- explanations: the app's side of artdemo.explain (models, inputs, the map cache);
- overlay: the overlay recipe; answers: answers as JSON and markdown;
- models_info: model origin and cards; confusion, balance, credits, charts, gallery: the
  explorer pages' figures; session: what a visitor's session holds; kiosk: the attract loop.
"""
