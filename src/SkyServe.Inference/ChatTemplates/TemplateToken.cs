namespace SkyServe.Inference.ChatTemplates;

/// <summary>
/// One lexer token. Text is the template text, name, operator, or the unescaped content of a string
/// literal; Literal holds the parsed value of a number (long or double).
/// </summary>
internal readonly record struct TemplateToken(TokenKind Kind, string Text, SourcePosition Position, object? Literal = null)
{
    public bool IsName(string name) => Kind == TokenKind.Name && Text == name;

    public bool IsOperator(string op) => Kind == TokenKind.Operator && Text == op;

    /// <summary>How the token reads in an error message.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.Text => "template text",
        TokenKind.VariableBegin => "'{{'",
        TokenKind.VariableEnd => "'}}'",
        TokenKind.BlockBegin => "'{%'",
        TokenKind.BlockEnd => "'%}'",
        TokenKind.String => $"string '{Text}'",
        TokenKind.EndOfSource => "the end of the template",
        _ => $"'{Text}'",
    };
}
