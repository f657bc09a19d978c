"""The question-answering agent: a LangGraph state graph over one video's index.

plan -> retrieve -> select -> look -> reflect -> (look again | answer). See ``graph.py``.
"""
