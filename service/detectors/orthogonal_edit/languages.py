"""The per-language node types the orthogonal-edit detector's unit extraction needs.

A `LangSpec` lists, for one tree-sitter grammar, which nodes are containers, classes, functions,
assignments, imports, strings, literals, collections, guards and name bindings, so other grammars
can plug in. `SPECS` maps a file's language to its spec.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LangSpec:
    """The node types of one grammar that the unit extraction needs."""

    containers: frozenset[str]  # nodes whose children are units (module, program)
    class_types: frozenset[str]  # class definitions: header unit + members as units
    class_bodies: frozenset[str]
    def_types: frozenset[str]  # function definitions: one unit with everything inside
    wrappers: frozenset[str]  # decorated definitions
    statement_wrappers: frozenset[str]  # expression statements around an assignment
    assign_types: frozenset[str]
    import_types: frozenset[str]
    string_types: frozenset[str]
    interpolations: frozenset[str]
    literal_types: frozenset[str]
    collection_types: frozenset[str]
    comment_types: frozenset[str]
    if_types: frozenset[str]
    exit_types: frozenset[str]
    binding_parents: frozenset[str]
    binding_fields: frozenset[str]  # "parent_type.field" of a name-introducing child
    family: str = "python"  # the rule-id prefix of findings in this language
    block_types: frozenset[str] = frozenset({"block"})  # statement blocks (if bodies)
    call_types: frozenset[str] = frozenset({"call"})
    argument_lists: frozenset[str] = frozenset({"argument_list"})
    keyed_types: frozenset[str] = frozenset({"keyword_argument", "default_parameter",
                                             "typed_default_parameter", "pair"})
    layout_tokens: frozenset[str] = frozenset()  # punctuation that is layout (JS semicolons)
    keyed_members: bool = False  # object members compare by key (a changed value is no membership change)


PYTHON = LangSpec(
    containers=frozenset({"module"}),
    class_types=frozenset({"class_definition"}),
    class_bodies=frozenset({"block"}),
    def_types=frozenset({"function_definition"}),
    wrappers=frozenset({"decorated_definition"}),
    statement_wrappers=frozenset({"expression_statement"}),
    assign_types=frozenset({"assignment", "augmented_assignment"}),
    import_types=frozenset({"import_statement", "import_from_statement", "future_import_statement"}),
    string_types=frozenset({"string"}),
    interpolations=frozenset({"interpolation"}),
    literal_types=frozenset({"integer", "float", "true", "false", "none"}),
    collection_types=frozenset({"set", "list", "tuple", "dictionary"}),
    comment_types=frozenset({"comment"}),
    if_types=frozenset({"if_statement"}),
    exit_types=frozenset({"raise_statement", "return_statement", "continue_statement",
                          "break_statement"}),
    binding_parents=frozenset({"parameters", "lambda_parameters", "typed_parameter",
                               "pattern_list", "tuple_pattern",
                               "list_pattern", "as_pattern_target", "list_splat_pattern",
                               "dictionary_splat_pattern", "global_statement",
                               "nonlocal_statement"}),
    binding_fields=frozenset({"assignment.left", "augmented_assignment.left", "for_statement.left",
                              "for_in_clause.left", "function_definition.name",
                              "class_definition.name", "default_parameter.name",
                              "typed_default_parameter.name", "named_expression.name",
                              "aliased_import.alias", "as_pattern.alias",
                              "with_item.alias", "lambda.parameters"}),
)

_JS_STATEMENTS = frozenset({"expression_statement", "lexical_declaration", "variable_declaration"})
JAVASCRIPT = LangSpec(
    containers=frozenset({"program"}),
    class_types=frozenset({"class_declaration", "abstract_class_declaration", "interface_declaration",
                           "type_alias_declaration", "enum_declaration"}),
    class_bodies=frozenset({"class_body"}),
    def_types=frozenset({"function_declaration", "generator_function_declaration", "method_definition",
                         "function_signature", "arrow_function", "function_expression"}),
    wrappers=frozenset({"export_statement"}),
    statement_wrappers=_JS_STATEMENTS,
    assign_types=frozenset({"variable_declarator", "assignment_expression",
                            "augmented_assignment_expression", "public_field_definition",
                            "field_definition"}),
    import_types=frozenset({"import_statement"}),
    string_types=frozenset({"string", "template_string"}),
    interpolations=frozenset({"template_substitution"}),
    literal_types=frozenset({"number", "true", "false", "null", "undefined"}),
    collection_types=frozenset({"array", "object"}),
    comment_types=frozenset({"comment"}),
    if_types=frozenset({"if_statement"}),
    exit_types=frozenset({"return_statement", "throw_statement", "continue_statement",
                          "break_statement"}),
    binding_parents=frozenset({"formal_parameters", "array_pattern", "rest_pattern"}),
    binding_fields=frozenset({"variable_declarator.name", "function_declaration.name",
                              "generator_function_declaration.name", "function_expression.name",
                              "class_declaration.name", "method_definition.name",
                              "required_parameter.pattern", "optional_parameter.pattern",
                              "assignment_pattern.left", "arrow_function.parameter",
                              "catch_clause.parameter", "for_in_statement.left",
                              "pair_pattern.value", "import_specifier.alias"}),
    family="js",
    block_types=frozenset({"statement_block"}),
    call_types=frozenset({"call_expression", "new_expression"}),
    argument_lists=frozenset({"arguments"}),
    keyed_types=frozenset({"pair", "assignment_pattern", "public_field_definition"}),
    layout_tokens=frozenset({";"}),
    keyed_members=True,
)

SPECS: dict[str, LangSpec] = {"python": PYTHON, "javascript": JAVASCRIPT, "typescript": JAVASCRIPT,
                              "tsx": JAVASCRIPT}
