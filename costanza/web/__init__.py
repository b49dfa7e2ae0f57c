"""`costanza web`: the page in the browser, another face of the same services."""
