"""Knowledge base (知识库 · 案例库 · 智能问答): FAQ entries and typical cases as files, cases written by
workers and reviewed by their mentor or organizer, Chinese search over entries, lessons and question
explanations, and an assistant that answers from the entries with its sources and hands what it
cannot answer to the worker's mentor.

Pure cores (no Flask, no database): ``app.kb.terms`` (vocabulary), ``app.kb.search`` (segmentation,
BM25, snippets), ``app.kb.assistant`` (answer and confidence, optional LLM client), ``app.kb.checker``
(the file format and its checks). Server side: ``sync`` (files → database), ``index`` (the search index
in the database and each process's copy of it), ``service``, ``records``, ``hooks``, ``views``.
"""
