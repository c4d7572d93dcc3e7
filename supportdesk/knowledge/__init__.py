"""The knowledge base: articles in Markdown, their versions, and deflections at intake."""
