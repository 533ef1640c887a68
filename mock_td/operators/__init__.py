"""TD's operator classes and what hangs off them: ``OP``, ``COMP``, ``DAT``, ``CHOP`` and the modelled
types, table and channel data, Execute-family DATs, DAT modules, extensions, the ``op``/``parent``/
``iop``/``ipar``/``ext``/``mod`` shortcuts, paths, the type registry, storage and the network as data.

Notifications that go up (a parameter changed, a DAT's text changed, OPs were pasted) and the ``td``
namespace that code runs in are reached through the OP's world (``op._world``), never by importing
a module above this package.
"""
