"""Qt item models, named after the store module they present."""
