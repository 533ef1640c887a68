"""The Python modules TD ships next to ``td``: ``tdu`` (with ``tdu.Dependency``), ``TDStoreTools``
and ``TDFunctions``, as far as mock_td models them. ``mock_td.install()`` puts them in ``sys.modules``
under their TD names.
"""
