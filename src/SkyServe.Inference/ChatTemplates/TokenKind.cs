namespace SkyServe.Inference.ChatTemplates;

/// <summary>What a lexer token is: literal template text, a tag delimiter, or part of an expression.</summary>
internal enum TokenKind
{
    Text,
    VariableBegin,
    VariableEnd,
    BlockBegin,
    BlockEnd,
    Name,
    String,
    Integer,
    Float,
    Operator,
    EndOfSource,
}
