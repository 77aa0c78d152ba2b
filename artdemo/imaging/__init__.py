"""Pictures: safe decoding, finding the artwork in a photo, and generated gallery photos."""
