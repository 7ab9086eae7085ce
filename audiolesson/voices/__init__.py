"""Voices: which voice speaks each turn, and how a voice turns text into audio.

`library` (presets, voices/*.toml, the project lexicon), `cast` (speaker -> Voice), `render`
(engine synthesis plus pitch, formant and tempo), `listing` (`audiolesson voices`), and the
engines themselves, plugins in `engines/`.
"""
