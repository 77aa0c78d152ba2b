"""Training and evaluating the models from the data cache; writes `models/TASK/`.

Only the command line and the benchmark import this; the app never trains.
"""
