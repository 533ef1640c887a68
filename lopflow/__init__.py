"""lopflow: headless tooling for LOPflow flows (run, graph, check) and the helpers behind it.

The package is tooling, not part of the TouchDesigner components: it may import mock_td. It reads
the components' code from the repository it is installed from (an editable install), see ``repo``.
"""
