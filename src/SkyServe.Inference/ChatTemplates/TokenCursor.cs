namespace SkyServe.Inference.ChatTemplates;

/// <summary>Reads the lexer's tokens in order for the parsers; the list always ends with EndOfSource.</summary>
internal sealed class TokenCursor(List<TemplateToken> tokens)
{
    private int index;

    public TemplateToken Current => tokens[index];

    public TemplateToken Peek(int ahead = 1) => tokens[Math.Min(index + ahead, tokens.Count - 1)];

    public TemplateToken Next()
    {
        var token = tokens[index];
        if (index < tokens.Count - 1)
            index++;
        return token;
    }

    public bool SkipOperator(string op)
    {
        if (!Current.IsOperator(op))
            return false;
        Next();
        return true;
    }

    public bool SkipName(string name)
    {
        if (!Current.IsName(name))
            return false;
        Next();
        return true;
    }

    public TemplateToken ExpectOperator(string op) =>
        Current.IsOperator(op) ? Next() : throw Error(Current, $"expected '{op}' but found {Current.Describe()}");

    public TemplateToken ExpectName(string? name = null)
    {
        if (Current.Kind == TokenKind.Name && (name is null || Current.Text == name))
            return Next();
        throw Error(Current, $"expected {(name is null ? "a name" : $"'{name}'")} but found {Current.Describe()}");
    }

    public void ExpectBlockEnd()
    {
        if (Current.Kind != TokenKind.BlockEnd)
            throw Error(Current, $"expected '%}}' but found {Current.Describe()}");
        Next();
    }

    public void ExpectVariableEnd()
    {
        if (Current.Kind != TokenKind.VariableEnd)
            throw Error(Current, $"expected '}}}}' but found {Current.Describe()}");
        Next();
    }

    public static ChatTemplateException Error(TemplateToken at, string reason) =>
        new(reason, at.Position.Line, at.Position.Column);
}
