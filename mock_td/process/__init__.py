"""The emulated TouchDesigner process: the world (per-process state and the hooks that connect the
families), the one clock (``absTime``) and the run queue (``run()`` / ``Run``).

Nothing here imports an operator or parameter module: operators and parameters call up into the
world object, which ``mock_td.install()`` wires to them (see :class:`mock_td.process.world.WorldHooks`).
"""
