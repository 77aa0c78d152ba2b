"""Where artworks come from: the MET, MoMA, the local data cache, uploads and links.

Everything here returns `ArtObject`s or fills the data cache; nothing here knows a
screen or a model.
"""
