"""mock_td: a headless stand-in for TouchDesigner's Python API (see SUPPORTED.md)."""
