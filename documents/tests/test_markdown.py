from documents.markdown import chunk_markdown, parse_document


def words(text: str) -> int:
    return len(text.split())


def test_front_matter_becomes_metadata_and_title():
    parsed = parse_document("---\ntitle: Runbook\ntags: [ops, db]\n---\n# Heading\n\nBody.\n")
    assert parsed.title == "Runbook"
    assert parsed.metadata == {"title": "Runbook", "tags": ["ops", "db"]}
    assert parsed.body.startswith("# Heading")


def test_title_falls_back_to_first_h1_then_to_the_file_name():
    assert parse_document("Intro\n\n# The `Real` Title\n").title == "The Real Title"
    assert parse_document("no headings here", fallback_title="notes").title == "notes"


def test_broken_front_matter_is_kept_as_text():
    parsed = parse_document("---\n: [unclosed\n---\nText")
    assert parsed.metadata == {}
    assert "unclosed" in parsed.body


def test_chunks_keep_their_heading_path():
    body = "# Guide\n\nIntro.\n\n## Install\n\nRun it.\n\n### On Linux\n\nUse apt.\n\n## Use\n\nClick.\n"
    chunks = chunk_markdown(body, count_tokens=words, max_tokens=50)
    assert [(chunk.heading_path, chunk.text) for chunk in chunks] == [
        (["Guide"], "Intro."),
        (["Guide", "Install"], "Run it."),
        (["Guide", "Install", "On Linux"], "Use apt."),
        (["Guide", "Use"], "Click."),
    ]
    assert [chunk.ordinal for chunk in chunks] == [0, 1, 2, 3]


def test_token_budget_is_respected_and_overlap_carries_context():
    paragraphs = [f"Paragraph {n} " + "word " * 8 for n in range(10)]
    body = "# Long\n\n" + "\n\n".join(paragraphs)
    chunks = chunk_markdown(body, count_tokens=words, max_tokens=25, overlap_tokens=10)
    assert all(chunk.token_count <= 25 for chunk in chunks)
    assert len(chunks) > 3
    # Each chunk after the first opens with the previous chunk's last paragraph.
    for previous, current in zip(chunks, chunks[1:], strict=False):
        assert current.text.split("\n\n")[0] == previous.text.split("\n\n")[-1]


def test_an_oversized_paragraph_is_split_by_sentences_then_words():
    sentence_block = " ".join(f"Sentence {n} has five words." for n in range(20))
    chunks = chunk_markdown(sentence_block, count_tokens=words, max_tokens=12)
    assert all(chunk.token_count <= 12 for chunk in chunks)
    assert " ".join(chunk.text for chunk in chunks).split() == sentence_block.split()
    one_line = "word " * 100
    assert all(chunk.token_count <= 12 for chunk in chunk_markdown(one_line, count_tokens=words, max_tokens=12))


def test_code_blocks_and_tables_stay_verbatim():
    body = "# Code\n\n```yaml\nkey: value\n\nother: 1\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    texts = [chunk.text for chunk in chunk_markdown(body, count_tokens=words, max_tokens=100)]
    assert texts == ["```yaml\nkey: value\n\nother: 1\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |"]


def test_same_text_same_hash_and_headings_change_it():
    first = chunk_markdown("# A\n\nSame text.", count_tokens=words)[0]
    again = chunk_markdown("# A\n\nSame text.", count_tokens=words)[0]
    moved = chunk_markdown("# B\n\nSame text.", count_tokens=words)[0]
    assert first.content_hash == again.content_hash != moved.content_hash
