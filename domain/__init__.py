"""The bottom floor: plain records and the product's vocabulary, imported by storage, console and widgets."""
