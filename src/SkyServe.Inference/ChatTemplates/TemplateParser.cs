namespace SkyServe.Inference.ChatTemplates;

/// <summary>
/// Parses the tag structure of a template into one <see cref="CompiledStatement"/>: text, {{ output }},
/// {% if/elif/else %}, {% for ... in ... if ... %} with {% else %}, {% set %} (also ns.attr, unpacking and
/// the block form), {% macro %}, {% break %}/{% continue %} and Hugging Face's {% generation %}. Anything
/// else is an error with its line and column.
/// </summary>
internal sealed class TemplateParser
{
    private static readonly HashSet<string> Reserved = ["true", "false", "none", "True", "False", "None"];

    private readonly TokenCursor cursor;
    private readonly ExpressionParser expressions;
    private int loopDepth;

    private TemplateParser(List<TemplateToken> tokens)
    {
        cursor = new TokenCursor(tokens);
        expressions = new ExpressionParser(cursor);
    }

    public static CompiledStatement Parse(List<TemplateToken> tokens) => new TemplateParser(tokens).ParseBody(null, out _);

    /// <summary>
    /// Parses statements up to one of <paramref name="block"/>'s end tags and consumes that tag's name,
    /// leaving the rest of the tag (an elif condition, the closing %}) to the caller.
    /// </summary>
    private CompiledStatement ParseBody(OpenBlock? block, out string endTag)
    {
        var statements = new List<CompiledStatement>();
        while (true)
        {
            var token = cursor.Current;
            switch (token.Kind)
            {
                case TokenKind.Text:
                    cursor.Next();
                    var text = token.Text;
                    statements.Add(state =>
                    {
                        state.Output.Append(text);
                        return LoopSignal.None;
                    });
                    break;
                case TokenKind.VariableBegin:
                    cursor.Next();
                    var expression = expressions.ParseTuple();
                    cursor.ExpectVariableEnd();
                    statements.Add(state =>
                    {
                        state.Output.Append(ValueText.ToText(expression(state)));
                        return LoopSignal.None;
                    });
                    break;
                case TokenKind.BlockBegin:
                    cursor.Next();
                    var tag = cursor.Next();
                    if (tag.Kind != TokenKind.Name)
                        throw TokenCursor.Error(tag, $"expected a tag name after '{{%' but found {tag.Describe()}");
                    if (block is not null && block.EndTags.Contains(tag.Text))
                    {
                        endTag = tag.Text;
                        return Sequence(statements);
                    }
                    statements.Add(ParseTag(tag, block));
                    break;
                case TokenKind.EndOfSource:
                    if (block is not null)
                        throw TokenCursor.Error(block.Opener,
                            $"unclosed '{block.Tag}' block: expected {Choices(block.EndTags)} before the end of the template");
                    endTag = "";
                    return Sequence(statements);
                default:
                    throw TokenCursor.Error(token, $"unexpected {token.Describe()}");
            }
        }
    }

    private CompiledStatement ParseTag(TemplateToken tag, OpenBlock? enclosing) => tag.Text switch
    {
        "if" => ParseIf(tag),
        "for" => ParseFor(tag),
        "set" => ParseSet(tag),
        "macro" => ParseMacro(tag),
        "break" or "continue" => ParseLoopControl(tag),
        "generation" => ParseGeneration(tag),
        "elif" or "else" or "endif" or "endfor" or "endset" or "endmacro" or "endgeneration" => throw TokenCursor.Error(tag,
            enclosing is null
                ? $"unexpected '{tag.Text}': no block is open"
                : $"unexpected '{tag.Text}': the innermost open block is '{enclosing.Tag}' (line {enclosing.Opener.Position.Line}), which expects {Choices(enclosing.EndTags)}"),
        _ => throw TokenCursor.Error(tag, $"unknown tag '{tag.Text}'"),
    };

    private CompiledStatement ParseIf(TemplateToken tag)
    {
        var branches = new List<(CompiledExpression Condition, CompiledStatement Body)>();
        CompiledStatement? otherwise = null;
        var condition = expressions.ParseTuple(allowConditional: false);
        cursor.ExpectBlockEnd();
        while (true)
        {
            var body = ParseBody(new OpenBlock("if", tag, ["elif", "else", "endif"]), out var end);
            branches.Add((condition, body));
            if (end == "elif")
            {
                condition = expressions.ParseTuple(allowConditional: false);
                cursor.ExpectBlockEnd();
                continue;
            }
            if (end == "else")
            {
                cursor.ExpectBlockEnd();
                otherwise = ParseBody(new OpenBlock("if", tag, ["endif"]), out _);
            }
            cursor.ExpectBlockEnd();
            break;
        }
        return state =>
        {
            foreach (var (branchCondition, body) in branches)
                if (TemplateValues.IsTruthy(branchCondition(state)))
                    return body(state);
            return otherwise?.Invoke(state) ?? LoopSignal.None;
        };
    }

    private CompiledStatement ParseFor(TemplateToken tag)
    {
        var target = ParseAssignmentTarget(allowAttribute: false);
        cursor.ExpectName("in");
        var iterable = ExpressionParser.Located(cursor.Current, expressions.ParseTuple(allowConditional: false));
        var ifToken = cursor.Current;
        var filter = cursor.SkipName("if") ? ExpressionParser.Located(ifToken, expressions.ParseExpression()) : null;
        if (cursor.Current.IsName("recursive"))
            throw TokenCursor.Error(cursor.Current, "recursive loops are not supported");
        cursor.ExpectBlockEnd();

        loopDepth++;
        var body = ParseBody(new OpenBlock("for", tag, ["else", "endfor"]), out var end);
        loopDepth--;
        CompiledStatement? otherwise = null;
        if (end == "else")
        {
            cursor.ExpectBlockEnd();
            otherwise = ParseBody(new OpenBlock("for", tag, ["endfor"]), out _);
        }
        cursor.ExpectBlockEnd();

        return state =>
        {
            var outer = state.Scope;
            try
            {
                var items = Iterate(iterable(state), tag);
                if (filter is not null)
                    items = items.Where(item =>
                    {
                        state.Scope = new Scope(outer);
                        target(state, item);
                        return TemplateValues.IsTruthy(filter(state));
                    }).ToList();
                if (items.Count == 0)
                {
                    state.Scope = new Scope(outer);
                    return otherwise?.Invoke(state) ?? LoopSignal.None;
                }
                var loop = new LoopContext(items);
                for (var i = 0; i < items.Count; i++)
                {
                    // Each iteration gets fresh variables: a {% set %} in the body does not reach the next one.
                    state.Scope = new Scope(outer);
                    state.Scope.Set("loop", loop);
                    loop.Index0 = i;
                    target(state, items[i]);
                    if (body(state) == LoopSignal.Break)
                        break;
                }
                return LoopSignal.None;
            }
            finally
            {
                state.Scope = outer;
            }
        };
    }

    private static List<object?> Iterate(object? value, TemplateToken tag)
    {
        try
        {
            return TemplateValues.ToList(value);
        }
        catch (ChatTemplateException e) when (e.Line is null)
        {
            throw e.At(tag.Position);
        }
    }

    private CompiledStatement ParseSet(TemplateToken tag)
    {
        var target = ParseAssignmentTarget(allowAttribute: true);
        if (cursor.SkipOperator("="))
        {
            var value = expressions.ParseTuple();
            cursor.ExpectBlockEnd();
            return state =>
            {
                Assign(target, state, value(state), tag);
                return LoopSignal.None;
            };
        }
        if (cursor.Current.Kind != TokenKind.BlockEnd)
            throw TokenCursor.Error(cursor.Current, $"expected '=' or '%}}' in 'set' but found {cursor.Current.Describe()}");
        cursor.ExpectBlockEnd();
        // {% set name %}...{% endset %} captures what the body outputs.
        var savedDepth = loopDepth;
        loopDepth = 0;
        var body = ParseBody(new OpenBlock("set", tag, ["endset"]), out _);
        loopDepth = savedDepth;
        cursor.ExpectBlockEnd();
        return state =>
        {
            Assign(target, state, state.Capture(body, new Scope(state.Scope)), tag);
            return LoopSignal.None;
        };
    }

    private static void Assign(AssignmentTarget target, RenderState state, object? value, TemplateToken tag)
    {
        try
        {
            target(state, value);
        }
        catch (ChatTemplateException e) when (e.Line is null)
        {
            throw e.At(tag.Position);
        }
    }

    /// <summary>A name, names to unpack into (a, b or (a, b)), or with <paramref name="allowAttribute"/> a namespace attribute (ns.name).</summary>
    private AssignmentTarget ParseAssignmentTarget(bool allowAttribute)
    {
        var parenthesized = cursor.SkipOperator("(");
        var first = ExpectAssignableName();
        if (allowAttribute && !parenthesized && cursor.SkipOperator("."))
        {
            var attribute = cursor.ExpectName().Text;
            return (state, value) =>
            {
                state.Scope.TryLookup(first, out var owner);
                if (owner is not TemplateNamespace ns)
                    throw new ChatTemplateException($"cannot assign attribute '{attribute}' on '{first}', which is not a namespace()");
                ns.Attributes[attribute] = value;
            };
        }
        var names = new List<string> { first };
        var unpack = false;
        while (cursor.SkipOperator(","))
        {
            unpack = true;
            if (cursor.Current.Kind != TokenKind.Name || cursor.Current.IsName("in"))
                break;
            names.Add(ExpectAssignableName());
        }
        if (parenthesized)
            cursor.ExpectOperator(")");
        if (!unpack)
            return (state, value) => state.Scope.Set(first, value);
        return (state, value) =>
        {
            var items = TemplateValues.ToList(value);
            if (items.Count != names.Count)
                throw new ChatTemplateException(items.Count > names.Count
                    ? $"too many values to unpack (expected {names.Count})"
                    : $"not enough values to unpack (expected {names.Count}, got {items.Count})");
            for (var i = 0; i < names.Count; i++)
                state.Scope.Set(names[i], items[i]);
        };
    }

    private string ExpectAssignableName()
    {
        var token = cursor.ExpectName();
        if (Reserved.Contains(token.Text))
            throw TokenCursor.Error(token, $"cannot assign to '{token.Text}'");
        return token.Text;
    }

    private CompiledStatement ParseMacro(TemplateToken tag)
    {
        var name = ExpectAssignableName();
        cursor.ExpectOperator("(");
        var parameters = new List<(string Name, CompiledExpression? Default)>();
        while (!cursor.SkipOperator(")"))
        {
            if (parameters.Count > 0)
            {
                cursor.ExpectOperator(",");
                if (cursor.SkipOperator(")"))
                    break;
            }
            var parameterToken = cursor.Current;
            var parameter = ExpectAssignableName();
            CompiledExpression? fallback = null;
            if (cursor.SkipOperator("="))
                fallback = expressions.ParseExpression();
            else if (parameters.Any(p => p.Default is not null))
                throw TokenCursor.Error(parameterToken, $"parameter '{parameter}' without a default follows one with a default");
            parameters.Add((parameter, fallback));
        }
        cursor.ExpectBlockEnd();
        var savedDepth = loopDepth;
        loopDepth = 0;
        var body = ParseBody(new OpenBlock("macro", tag, ["endmacro"]), out _);
        loopDepth = savedDepth;
        cursor.ExpectBlockEnd();

        return state =>
        {
            var definingScope = state.Scope;
            definingScope.Set(name, new TemplateCallable(name, (arguments, callState) =>
                CallMacro(name, parameters, body, definingScope, arguments, callState)));
            return LoopSignal.None;
        };
    }

    private static string CallMacro(
        string name, List<(string Name, CompiledExpression? Default)> parameters, CompiledStatement body,
        Scope definingScope, CallArguments arguments, RenderState state)
    {
        if (arguments.Positional.Count > parameters.Count)
            throw new ChatTemplateException($"macro '{name}' takes {parameters.Count} arguments ({arguments.Positional.Count} given)");
        foreach (var argumentName in arguments.Named.Keys)
            if (!parameters.Any(p => p.Name == argumentName))
                throw new ChatTemplateException($"macro '{name}' has no parameter '{argumentName}'");

        var scope = new Scope(definingScope);
        var outerScope = state.Scope;
        state.EnterCall(name);
        try
        {
            state.Scope = scope;
            for (var i = 0; i < parameters.Count; i++)
            {
                var (parameter, fallback) = parameters[i];
                object? value;
                if (i < arguments.Positional.Count)
                    value = arguments.Positional[i];
                else if (arguments.Named.TryGetValue(parameter, out var named))
                    value = named;
                else
                    value = fallback is null ? new Undefined($"parameter '{parameter}' was not provided") : fallback(state);
                scope.Set(parameter, value);
            }
            return state.Capture(body, scope);
        }
        finally
        {
            state.Scope = outerScope;
            state.LeaveCall();
        }
    }

    private CompiledStatement ParseLoopControl(TemplateToken tag)
    {
        if (loopDepth == 0)
            throw TokenCursor.Error(tag, $"'{tag.Text}' outside of a for loop");
        cursor.ExpectBlockEnd();
        var signal = tag.Text == "break" ? LoopSignal.Break : LoopSignal.Continue;
        return _ => signal;
    }

    // Hugging Face's {% generation %} marks the assistant's text for training masks; rendering ignores it.
    private CompiledStatement ParseGeneration(TemplateToken tag)
    {
        cursor.ExpectBlockEnd();
        var body = ParseBody(new OpenBlock("generation", tag, ["endgeneration"]), out _);
        cursor.ExpectBlockEnd();
        return body;
    }

    private static CompiledStatement Sequence(List<CompiledStatement> statements)
    {
        if (statements.Count == 1)
            return statements[0];
        var all = statements.ToArray();
        return state =>
        {
            foreach (var statement in all)
            {
                var signal = statement(state);
                if (signal != LoopSignal.None)
                    return signal;
            }
            return LoopSignal.None;
        };
    }

    private static string Choices(string[] tags) =>
        tags.Length == 1 ? $"'{tags[0]}'" : string.Join(", ", tags[..^1].Select(t => $"'{t}'")) + $" or '{tags[^1]}'";
}
