"""Language layers: what every detector of one language needs to read its syntax trees.

One sub-package per language (`python`, `js`); a module there answers one question for the
whole language (symbols, test files, shapes, handlers, syntax, flow...) and knows nothing about
any one failure-mode category.
"""
