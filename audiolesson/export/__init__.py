"""Export: one script's timeline -> a mastered, chaptered, tagged MP3 with its sidecars.

In the order the audio flows: `timeline` (what the exporter is given and reports), `settings`,
`mix` (levels, limiter, fades; streamed), `loudness` (BS.1770), `blocks` (pieces of a chapter
encoded once and cached), `mp3` (frame-level joins), `tags` (ID3, chapters), `sidecars` (WebVTT,
chapters JSON), `episode` (`export_episode`).
"""
