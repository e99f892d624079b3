"""Interface languages (French, English, Arabic) and the optional translations of actions and orientations."""
