namespace SkyServe.Inference.ChatTemplates;

/// <summary>
/// Parses Jinja expressions into <see cref="CompiledExpression"/>s, with Jinja's precedence from loosest
/// to tightest: a if c else b; or; and; not; comparisons and in (chained); + -; ~; * / // %; **; unary
/// - +; then primaries with .attr, [item], [a:b:c], (call), | filter and `is` test.
/// </summary>
internal sealed class ExpressionParser(TokenCursor cursor)
{
    private static readonly HashSet<string> ComparisonOperators = ["==", "!=", "<", ">", "<=", ">="];

    public CompiledExpression ParseExpression(bool allowConditional = true) =>
        allowConditional ? ParseConditional() : ParseOr();

    /// <summary>An expression, or several separated by commas without parentheses, which make a tuple.</summary>
    public CompiledExpression ParseTuple(bool allowConditional = true)
    {
        var first = ParseExpression(allowConditional);
        if (!cursor.Current.IsOperator(","))
            return first;
        var items = new List<CompiledExpression> { first };
        while (cursor.SkipOperator(","))
        {
            if (cursor.Current.Kind is TokenKind.BlockEnd or TokenKind.VariableEnd || cursor.Current.IsOperator(")"))
                break;
            items.Add(ParseExpression(allowConditional));
        }
        return TupleOf(items);
    }

    /// <summary>Wraps an evaluation so an error without a position gets the position of <paramref name="token"/>.</summary>
    public static CompiledExpression Located(TemplateToken token, CompiledExpression inner)
    {
        var position = token.Position;
        return state =>
        {
            try
            {
                return inner(state);
            }
            catch (ChatTemplateException e) when (e.Line is null)
            {
                throw e.At(position);
            }
        };
    }

    private CompiledExpression ParseConditional()
    {
        var expression = ParseOr();
        while (cursor.Current.IsName("if"))
        {
            var token = cursor.Next();
            var condition = ParseOr();
            var otherwise = cursor.SkipName("else") ? ParseConditional() : null;
            var whenTrue = expression;
            var line = token.Position.Line;
            expression = state => TemplateValues.IsTruthy(condition(state))
                ? whenTrue(state)
                : otherwise is null
                    ? new Undefined($"the inline if-expression on line {line} evaluated to false and has no else section")
                    : otherwise(state);
        }
        return expression;
    }

    private CompiledExpression ParseOr()
    {
        var left = ParseAnd();
        while (cursor.SkipName("or"))
        {
            var (first, second) = (left, ParseAnd());
            left = state => first(state) is var value && TemplateValues.IsTruthy(value) ? value : second(state);
        }
        return left;
    }

    private CompiledExpression ParseAnd()
    {
        var left = ParseNot();
        while (cursor.SkipName("and"))
        {
            var (first, second) = (left, ParseNot());
            left = state => first(state) is var value && !TemplateValues.IsTruthy(value) ? value : second(state);
        }
        return left;
    }

    private CompiledExpression ParseNot()
    {
        if (!cursor.SkipName("not"))
            return ParseComparison();
        var operand = ParseNot();
        return state => !TemplateValues.IsTruthy(operand(state));
    }

    private CompiledExpression ParseComparison()
    {
        var first = ParseAdditive();
        var links = new List<(string Op, CompiledExpression Operand)>();
        var opToken = cursor.Current;
        while (true)
        {
            var token = cursor.Current;
            string op;
            if (token.Kind == TokenKind.Operator && ComparisonOperators.Contains(token.Text))
                op = token.Text;
            else if (token.IsName("in"))
                op = "in";
            else if (token.IsName("not") && cursor.Peek().IsName("in"))
            {
                op = "not in";
                cursor.Next();
            }
            else
                break;
            cursor.Next();
            links.Add((op, ParseAdditive()));
        }
        if (links.Count == 0)
            return first;
        // a < b < c means a < b and b < c, with b evaluated once.
        return Located(opToken, state =>
        {
            var left = first(state);
            foreach (var (op, operand) in links)
            {
                var right = operand(state);
                if (!ValueOperators.Compare(op, left, right))
                    return false;
                left = right;
            }
            return true;
        });
    }

    private CompiledExpression ParseAdditive()
    {
        var left = ParseConcatenation();
        while (cursor.Current.IsOperator("+") || cursor.Current.IsOperator("-"))
        {
            var token = cursor.Next();
            var (first, second) = (left, ParseConcatenation());
            left = token.Text == "+"
                ? Located(token, state => ValueOperators.Add(first(state), second(state)))
                : Located(token, state => ValueOperators.Subtract(first(state), second(state)));
        }
        return left;
    }

    private CompiledExpression ParseConcatenation()
    {
        var left = ParseMultiplicative();
        while (cursor.SkipOperator("~"))
        {
            var (first, second) = (left, ParseMultiplicative());
            left = state => ValueOperators.Concatenate(first(state), second(state));
        }
        return left;
    }

    private CompiledExpression ParseMultiplicative()
    {
        var left = ParsePower();
        while (cursor.Current.Kind == TokenKind.Operator && cursor.Current.Text is "*" or "/" or "//" or "%")
        {
            var token = cursor.Next();
            var (first, second) = (left, ParsePower());
            Func<object?, object?, object?> apply = token.Text switch
            {
                "*" => ValueOperators.Multiply,
                "/" => ValueOperators.Divide,
                "//" => ValueOperators.FloorDivide,
                _ => ValueOperators.Modulo,
            };
            left = Located(token, state => apply(first(state), second(state)));
        }
        return left;
    }

    private CompiledExpression ParsePower()
    {
        var left = ParseUnary(withFilters: true);
        while (cursor.Current.IsOperator("**"))
        {
            var token = cursor.Next();
            var (first, second) = (left, ParseUnary(withFilters: true));
            left = Located(token, state => ValueOperators.Power(first(state), second(state)));
        }
        return left;
    }

    // As in Jinja, filters bind tighter than unary minus: -x|abs is abs(-x).
    private CompiledExpression ParseUnary(bool withFilters)
    {
        var token = cursor.Current;
        CompiledExpression node;
        if (token.IsOperator("-") || token.IsOperator("+"))
        {
            cursor.Next();
            var operand = ParseUnary(withFilters: false);
            node = token.Text == "-"
                ? Located(token, state => ValueOperators.Negate(operand(state)))
                : Located(token, state => ValueOperators.Plus(operand(state)));
        }
        else
            node = ParsePrimary();
        node = ParsePostfix(node);
        return withFilters ? ParseFiltersAndTests(node) : node;
    }

    private CompiledExpression ParsePrimary()
    {
        var token = cursor.Next();
        switch (token.Kind)
        {
            case TokenKind.Name:
                return token.Text switch
                {
                    "true" or "True" => Constant(true),
                    "false" or "False" => Constant(false),
                    "none" or "None" => Constant(null),
                    _ => Variable(token.Text),
                };
            case TokenKind.String:
                // Adjacent string literals join, as in Python.
                var text = token.Text;
                while (cursor.Current.Kind == TokenKind.String)
                    text += cursor.Next().Text;
                return Constant(text);
            case TokenKind.Integer or TokenKind.Float:
                return Constant(token.Literal);
            case TokenKind.Operator when token.Text == "(":
                return ParseParenthesized();
            case TokenKind.Operator when token.Text == "[":
                return ParseList();
            case TokenKind.Operator when token.Text == "{":
                return ParseDict();
            default:
                throw TokenCursor.Error(token, $"expected an expression but found {token.Describe()}");
        }
    }

    private CompiledExpression ParseParenthesized()
    {
        if (cursor.SkipOperator(")"))
            return _ => new TemplateTuple();
        var inner = ParseExpression();
        if (cursor.SkipOperator(")"))
            return inner;
        var items = new List<CompiledExpression> { inner };
        while (cursor.SkipOperator(","))
        {
            if (cursor.Current.IsOperator(")"))
                break;
            items.Add(ParseExpression());
        }
        cursor.ExpectOperator(")");
        return TupleOf(items);
    }

    private CompiledExpression ParseList()
    {
        var items = new List<CompiledExpression>();
        while (!cursor.SkipOperator("]"))
        {
            if (items.Count > 0)
            {
                cursor.ExpectOperator(",");
                if (cursor.SkipOperator("]"))
                    break;
            }
            items.Add(ParseExpression());
        }
        return state => items.Select(item => item(state)).ToList();
    }

    private CompiledExpression ParseDict()
    {
        var pairs = new List<(TemplateToken At, CompiledExpression Key, CompiledExpression Value)>();
        while (!cursor.SkipOperator("}"))
        {
            if (pairs.Count > 0)
            {
                cursor.ExpectOperator(",");
                if (cursor.SkipOperator("}"))
                    break;
            }
            var at = cursor.Current;
            var key = ParseExpression();
            cursor.ExpectOperator(":");
            pairs.Add((at, key, ParseExpression()));
        }
        return state =>
        {
            var mapping = TemplateValues.NewMapping();
            foreach (var (at, key, value) in pairs)
            {
                var keyValue = key(state);
                if (keyValue is null or Undefined)
                    throw TokenCursor.Error(at, $"a dict key cannot be {(keyValue is null ? "none" : "undefined")}");
                mapping[keyValue] = value(state);
            }
            return mapping;
        };
    }

    private CompiledExpression ParsePostfix(CompiledExpression node)
    {
        while (true)
        {
            var token = cursor.Current;
            if (token.IsOperator("."))
            {
                cursor.Next();
                node = ParseAttribute(node);
            }
            else if (token.IsOperator("["))
            {
                cursor.Next();
                node = ParseSubscript(node, token);
            }
            else if (token.IsOperator("("))
            {
                cursor.Next();
                node = ParseCall(node, token);
            }
            else
                return node;
        }
    }

    private CompiledExpression ParseAttribute(CompiledExpression target)
    {
        var token = cursor.Next();
        if (token.Kind == TokenKind.Name)
        {
            var name = token.Text;
            return Located(token, state => ValueAccess.GetAttribute(target(state), name));
        }
        if (token.Kind == TokenKind.Integer)
        {
            var index = token.Literal;
            return Located(token, state => ValueAccess.GetItem(target(state), index));
        }
        throw TokenCursor.Error(token, $"expected an attribute name after '.' but found {token.Describe()}");
    }

    private CompiledExpression ParseSubscript(CompiledExpression target, TemplateToken bracket)
    {
        CompiledExpression? start = null;
        if (!cursor.Current.IsOperator(":"))
        {
            start = ParseExpression();
            if (cursor.SkipOperator("]"))
            {
                var key = start;
                return Located(bracket, state => ValueAccess.GetItem(target(state), key(state)));
            }
        }
        cursor.ExpectOperator(":");
        CompiledExpression? stop = null, step = null;
        if (!cursor.Current.IsOperator(":") && !cursor.Current.IsOperator("]"))
            stop = ParseExpression();
        if (cursor.SkipOperator(":") && !cursor.Current.IsOperator("]"))
            step = ParseExpression();
        cursor.ExpectOperator("]");
        return Located(bracket, state => ValueAccess.Slice(target(state), start?.Invoke(state), stop?.Invoke(state), step?.Invoke(state)));
    }

    private CompiledExpression ParseCall(CompiledExpression callee, TemplateToken parenthesis)
    {
        var arguments = ParseArguments();
        return Located(parenthesis, state => ValueAccess.Call(callee(state), arguments(state), state));
    }

    /// <summary>The arguments after an opening parenthesis, up to and including the closing one.</summary>
    private Func<RenderState, CallArguments> ParseArguments()
    {
        var positional = new List<CompiledExpression>();
        var named = new List<(string Name, CompiledExpression Value)>();
        while (!cursor.SkipOperator(")"))
        {
            if (positional.Count + named.Count > 0)
            {
                cursor.ExpectOperator(",");
                if (cursor.SkipOperator(")"))
                    break;
            }
            var token = cursor.Current;
            if (token.IsOperator("*") || token.IsOperator("**"))
                throw TokenCursor.Error(token, "*args and **kwargs in calls are not supported");
            if (token.Kind == TokenKind.Name && cursor.Peek().IsOperator("="))
            {
                cursor.Next();
                cursor.Next();
                if (named.Any(n => n.Name == token.Text))
                    throw TokenCursor.Error(token, $"keyword argument '{token.Text}' is repeated");
                named.Add((token.Text, ParseExpression()));
                continue;
            }
            if (named.Count > 0)
                throw TokenCursor.Error(token, "a positional argument cannot follow a keyword argument");
            positional.Add(ParseExpression());
        }
        if (positional.Count == 0 && named.Count == 0)
            return _ => CallArguments.None;
        return state => new CallArguments(
            positional.Select(argument => argument(state)).ToArray(),
            named.ToDictionary(argument => argument.Name, argument => argument.Value(state), StringComparer.Ordinal));
    }

    private CompiledExpression ParseFiltersAndTests(CompiledExpression node)
    {
        while (true)
        {
            var token = cursor.Current;
            if (token.IsOperator("|"))
            {
                cursor.Next();
                node = ParseFilter(node);
            }
            else if (token.IsName("is"))
            {
                cursor.Next();
                node = ParseTest(node);
            }
            else if (token.IsOperator("("))
            {
                cursor.Next();
                node = ParseCall(node, token);
            }
            else
                return node;
        }
    }

    private CompiledExpression ParseFilter(CompiledExpression value)
    {
        var nameToken = cursor.ExpectName();
        if (!BuiltinFilters.TryGet(nameToken.Text, out var filter))
            throw TokenCursor.Error(nameToken, $"unknown filter '{nameToken.Text}'");
        var arguments = cursor.SkipOperator("(") ? ParseArguments() : _ => CallArguments.None;
        return Located(nameToken, state => filter(value(state), arguments(state)));
    }

    private CompiledExpression ParseTest(CompiledExpression value)
    {
        var negated = cursor.SkipName("not");
        var nameToken = cursor.ExpectName();
        if (!BuiltinTests.TryGet(nameToken.Text, out var test))
            throw TokenCursor.Error(nameToken, $"unknown test '{nameToken.Text}'");
        Func<RenderState, CallArguments> arguments = _ => CallArguments.None;
        if (cursor.SkipOperator("("))
            arguments = ParseArguments();
        else if (StartsTestArgument(cursor.Current))
        {
            // `x is divisibleby 3`: a test takes one argument without parentheses.
            var argument = ParsePostfix(ParsePrimary());
            arguments = state => new CallArguments([argument(state)], new Dictionary<string, object?>());
        }
        return Located(nameToken, state => test(value(state), arguments(state)) != negated);
    }

    private static bool StartsTestArgument(TemplateToken token) => token.Kind switch
    {
        TokenKind.Name => token.Text is not ("else" or "or" or "and" or "if"),
        TokenKind.String or TokenKind.Integer or TokenKind.Float => true,
        TokenKind.Operator => token.Text is "[" or "{",
        _ => false,
    };

    private static CompiledExpression Constant(object? value) => _ => value;

    private static CompiledExpression Variable(string name) =>
        state => state.Scope.TryLookup(name, out var value) ? value : Undefined.Variable(name);

    private static CompiledExpression TupleOf(List<CompiledExpression> items) =>
        state => new TemplateTuple(items.Select(item => item(state)).ToArray());
}
