"""The benchmark, `python -m artdemo.bench`: every speed and memory figure the README quotes.
"""
