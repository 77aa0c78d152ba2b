"""The trained models: backbone, heads, calibration, cards, the predictor, and where
the weights live (bundled or on the Hugging Face Hub). Knows no screen and never trains.
"""
