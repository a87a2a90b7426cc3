"""askme: a question-answering assistant built on a Dynamic Memory Network (Kumar et al. 2016)."""

__version__ = "0.1.0"
