"""What each model has seen, in plain words, and the figures it is held to.

The app shows the scope next to an answer, so a visitor knows when a picture is
outside what the model learnt from (a ceramic shown to the medium model gets a
medium anyway, but the card says it has never seen one).
"""

from __future__ import annotations

SCOPES: dict[str, str] = {
    "style": (
        "Paintings from WikiArt in nine movements: Art Nouveau, Baroque, Expressionism, Impressionism, "
        "Post-Impressionism, Romanticism and Symbolism (700 each), and Cubism and Pop Art (about 190 each, all "
        "showing people, from the PeopleArt set). It has never seen photographs, sculpture, abstract or "
        "contemporary art, Renaissance or non-Western art: any picture gets one of these nine movements, "
        "so a low confidence often means 'none of these'."
    ),
    "medium": (
        "Small colour photos of Whitney Museum objects (mostly 20th-century American paintings, drawings, "
        "prints, photographs and sculpture), greyscale photos of framed prints from UC Berkeley's loan "
        "collection, historic and modern photographs, and Japanese woodblock prints. It has never seen a "
        "ceramic, a textile, furniture, a coin, a manuscript, a digital or video work, or a colour "
        "lithograph photographed in a frame; it judges the photo, not the object, so a photo of a print in "
        "a frame, a reproduction or a poster may fool it."
    ),
    "genre": (
        "Paintings from the Louvre's collections (mostly European, 14th to 19th century) showing a genre "
        "scene, a landscape, a portrait or a still life. It has never seen modern or abstract art, "
        "religious or history painting as a separate genre, or photographs; everything gets one of the four."
    ),
    "lithograph": (
        "Whitney Museum objects of every kind (colour photos, about 250 px) and framed greyscale prints "
        "from UC Berkeley's loan collection (lithographs and other print techniques), labelled by MoMA's "
        "rule: a lithograph is a work whose medium text says 'lithograph'. It has never seen MoMA's own "
        "images or colour lithographs photographed in a frame, and fine print marks are barely visible at "
        "the Whitney images' size."
    ),
}

# (name, metrics key, goal) on the held-out test split; "ece" is a ceiling, the rest floors.
TARGETS: dict[str, list[tuple[str, str, float]]] = {
    "style": [("accuracy", "accuracy", 0.65), ("macro-F1", "macro_f1", 0.65), ("ECE", "ece", 0.05)],
    "medium": [("accuracy", "accuracy", 0.85), ("macro-F1", "macro_f1", 0.80), ("ECE", "ece", 0.05)],
    "genre": [("accuracy", "accuracy", 0.92), ("ECE", "ece", 0.05)],
    "lithograph": [("balanced accuracy", "balanced_accuracy", 0.87), ("ECE", "ece", 0.05)],
}
