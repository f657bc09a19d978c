"""Media: probe, one streamed decode, audio for speech recognition."""
