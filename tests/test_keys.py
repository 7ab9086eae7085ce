"""Content keys: one helper makes them, and the keys made before it existed do not change."""

from __future__ import annotations

import hashlib
import json

from audiolesson.keys import digest, spaced_digest

VALUE = {"text": "Grüße, 3 m/s", "voice": {"speed": 1.1, "engine": "piper"}, "n": [1, None]}


def test_the_canonical_digest_is_sorted_compact_utf8_json() -> None:
    blob = '{"n":[1,null],"text":"Grüße, 3 m/s","voice":{"engine":"piper","speed":1.1}}'
    assert digest(VALUE) == hashlib.sha256(blob.encode("utf-8")).hexdigest()
    assert digest(VALUE, 16) == digest(VALUE)[:16]
    assert digest({"b": 1, "a": 2}) == digest({"a": 2, "b": 1})


def test_the_older_keys_keep_the_form_they_were_made_with() -> None:
    # block keys and AAC tags (ASCII), lexicon digests and spoken-form memo keys (UTF-8) were
    # json.dumps with its default separators: caches made then must keep their keys
    ascii_form = json.dumps(VALUE, sort_keys=True)
    assert spaced_digest(VALUE, 40) == hashlib.sha256(ascii_form.encode()).hexdigest()[:40]
    words = ["3.0", "en", "ab12", None, "Grüße"]
    unicode_form = json.dumps(words, ensure_ascii=False)
    expected = hashlib.sha256(unicode_form.encode()).hexdigest()[:32]
    assert spaced_digest(words, 32, ascii_only=False) == expected
    # pinned: a change to either form would change every key of its kind
    assert (digest(VALUE, 12), spaced_digest(VALUE, 12)) == ("040f0e15fb58", "baa44895e560")
    assert spaced_digest(VALUE, 12, ascii_only=False) == "d1b746b8505c"
