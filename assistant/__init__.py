"""shopfloor: an offline quality assistant for manufacturing.

This package composes the classifier (``finetune``), the knowledge index (``index``) and the
sensor models (``sensors``) into chat, diagnosis and batch classification. Importing it is
cheap: heavy libraries (torch, transformers, faiss, gradio) load only inside the functions
that need them.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
