"""The catalogue audit: whole collections through the models on Apache Beam.

`python -m artdemo audit ...` (artdemo.audit.cli) builds the pipeline in
artdemo.audit.pipeline; the Audit page reads a finished run through
artdemo.audit.results, which needs neither Beam nor TensorFlow. Nothing is
imported here so that the page's light path stays light.
"""
