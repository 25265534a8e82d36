"""z3's C functions without the error check (lexkb.research.z3_calls)."""

from __future__ import annotations

import z3

from lexkb.research import z3_calls


def test_the_unchecked_functions_answer_as_z3s_own() -> None:
    x = z3.Int("x")
    term = z3.And(x > 1, z3.Or(x < 5, x == 9))
    context, raw = term.ctx.ref(), term.as_ast()
    assert z3_calls.get_ast_id is not z3.Z3_get_ast_id  # the C function itself on this z3
    assert z3_calls.get_ast_id(context, raw) == z3.Z3_get_ast_id(context, raw) == term.get_id()
    assert z3_calls.get_ast_kind(context, raw) == z3.Z3_APP_AST
    assert z3_calls.get_decl_kind(context, z3_calls.get_app_decl(context, raw)) == z3.Z3_OP_AND
    assert z3_calls.get_app_num_args(context, raw) == 2
    second = z3_calls.get_app_arg(context, raw, 1)
    assert z3_calls.get_ast_id(context, second) == term.arg(1).get_id()
    n = z3.Int("n")
    closed = z3.Exists([n], n > x)
    body = z3_calls.get_quantifier_body(context, closed.as_ast())
    assert z3_calls.get_ast_id(context, body) == closed.body().get_id()


def test_a_function_of_another_shape_is_kept_as_it_is() -> None:
    def plain(a: int) -> int:
        return a

    def with_default(a: int, b: int = 3) -> int:
        return a + b

    assert z3_calls.unchecked(plain) is plain
    assert z3_calls.unchecked(with_default) is with_default  # its default has no C function
