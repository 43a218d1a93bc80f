using System.Globalization;
using System.Text;

namespace SkyServe.Inference.ChatTemplates;

/// <summary>
/// Splits a template into text and tag tokens the way Jinja's lexer does with Hugging Face's settings
/// (trim_blocks and lstrip_blocks on, keep_trailing_newline off): newlines are normalized to \n, one
/// trailing newline is dropped, "{%-"/"-%}" (and the same for {{ }} and {# #}) strip all whitespace on
/// that side, the first newline after a block or comment tag goes, and spaces before a block or comment
/// tag that starts a line go too ("{%+" and "+%}" opt out).
/// </summary>
internal sealed class TemplateLexer
{
    // Longest first, so "//" wins over "/".
    private static readonly string[] Operators =
        ["//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", "<", ">", "=", ".", ":", "|", ",", ";"];

    private readonly string source;
    private readonly LineMap lines;
    private readonly List<TemplateToken> tokens = [];
    private int position;

    private TemplateLexer(string source)
    {
        this.source = source;
        lines = new LineMap(source);
    }

    public static List<TemplateToken> Tokenize(string source)
    {
        var lexer = new TemplateLexer(NormalizeNewlines(source));
        lexer.Run();
        lexer.tokens.Add(new TemplateToken(TokenKind.EndOfSource, "", lexer.lines.PositionOf(lexer.source.Length)));
        return lexer.tokens;
    }

    private static string NormalizeNewlines(string source)
    {
        var normalized = source.Replace("\r\n", "\n").Replace('\r', '\n');
        return normalized.EndsWith('\n') ? normalized[..^1] : normalized;
    }

    private void Run()
    {
        while (position < source.Length)
        {
            var tagStart = FindTagStart(position);
            if (tagStart < 0)
            {
                AddText(position, source[position..]);
                return;
            }

            var opener = source[tagStart + 1];
            var sign = tagStart + 2 < source.Length ? source[tagStart + 2] : '\0';
            var text = source[position..tagStart];
            if (sign == '-')
                text = PythonText.Strip(text, null, left: false, right: true);
            else if (sign != '+' && opener != '{')
                text = StripIndentBeforeTag(text);
            AddText(position, text);

            var bodyStart = tagStart + 2 + (sign is '-' or '+' ? 1 : 0);
            if (opener == '#')
                SkipComment(tagStart, bodyStart);
            else
                LexTag(tagStart, bodyStart, opener == '{');
        }
    }

    private int FindTagStart(int from)
    {
        for (var i = source.IndexOf('{', from); i >= 0 && i + 1 < source.Length; i = source.IndexOf('{', i + 1))
            if (source[i + 1] is '{' or '%' or '#')
                return i;
        return -1;
    }

    // lstrip_blocks: blanks between the start of a line and a block tag are not output.
    private string StripIndentBeforeTag(string text)
    {
        var lineStart = text.LastIndexOf('\n') + 1;
        var textStartsLine = position == 0 || source[position - 1] == '\n';
        if (lineStart == 0 && !textStartsLine)
            return text;
        if (lineStart == text.Length)
            return text;
        for (var i = lineStart; i < text.Length; i++)
            if (!PythonText.IsSpace(text[i]))
                return text;
        return text[..lineStart];
    }

    private void AddText(int offset, string text)
    {
        if (text.Length > 0)
            tokens.Add(new TemplateToken(TokenKind.Text, text, lines.PositionOf(offset)));
    }

    private void SkipComment(int tagStart, int bodyStart)
    {
        var end = source.IndexOf("#}", bodyStart, StringComparison.Ordinal);
        if (end < 0)
            throw Error(tagStart, "unclosed comment: '{#' has no matching '#}'");
        var after = end + 2;
        var sign = end > bodyStart ? source[end - 1] : '\0';
        if (sign == '-')
            after = SkipWhitespace(after);
        else if (sign != '+' && after < source.Length && source[after] == '\n')
            after++;
        position = after;
    }

    private void LexTag(int tagStart, int bodyStart, bool isVariable)
    {
        tokens.Add(new TemplateToken(isVariable ? TokenKind.VariableBegin : TokenKind.BlockBegin, isVariable ? "{{" : "{%", lines.PositionOf(tagStart)));
        var openBrackets = new Stack<(char Bracket, int Offset)>();
        var p = bodyStart;
        while (true)
        {
            p = SkipWhitespace(p);
            if (p >= source.Length)
                throw Error(tagStart, isVariable ? "unclosed '{{': expected '}}'" : "unclosed '{%': expected '%}'");
            // Jinja only looks for the closing delimiter outside brackets, so "{{ {'a': 1}}}" works.
            if (openBrackets.Count == 0 && TryLexTagEnd(p, isVariable, out var after))
            {
                position = after;
                return;
            }
            p = LexExpressionToken(p, openBrackets);
        }
    }

    private bool TryLexTagEnd(int p, bool isVariable, out int after)
    {
        var close = isVariable ? "}}" : "%}";
        var kind = isVariable ? TokenKind.VariableEnd : TokenKind.BlockEnd;
        after = p;
        if (source[p] is '-' or '+' && string.CompareOrdinal(source, p + 1, close, 0, 2) == 0 && (source[p] == '-' || !isVariable))
        {
            tokens.Add(new TemplateToken(kind, close, lines.PositionOf(p)));
            after = source[p] == '-' ? SkipWhitespace(p + 3) : p + 3;
            return true;
        }
        if (string.CompareOrdinal(source, p, close, 0, 2) != 0)
            return false;
        tokens.Add(new TemplateToken(kind, close, lines.PositionOf(p)));
        after = p + 2;
        // trim_blocks: the first newline after a block tag is not output.
        if (!isVariable && after < source.Length && source[after] == '\n')
            after++;
        return true;
    }

    private int LexExpressionToken(int p, Stack<(char Bracket, int Offset)> openBrackets)
    {
        var c = source[p];
        if (c is '\'' or '"')
            return LexString(p);
        if (char.IsAsciiDigit(c))
            return LexNumber(p);
        if (char.IsLetter(c) || c == '_')
        {
            var end = p + 1;
            while (end < source.Length && (char.IsLetterOrDigit(source[end]) || source[end] == '_'))
                end++;
            tokens.Add(new TemplateToken(TokenKind.Name, source[p..end], lines.PositionOf(p)));
            return end;
        }
        foreach (var op in Operators)
        {
            if (string.CompareOrdinal(source, p, op, 0, op.Length) != 0)
                continue;
            TrackBracket(op[0], p, openBrackets);
            tokens.Add(new TemplateToken(TokenKind.Operator, op, lines.PositionOf(p)));
            return p + op.Length;
        }
        throw Error(p, $"unexpected character '{c}'");
    }

    private void TrackBracket(char c, int p, Stack<(char Bracket, int Offset)> openBrackets)
    {
        if (c is '(' or '[' or '{')
        {
            openBrackets.Push((c, p));
            return;
        }
        if (c is not (')' or ']' or '}'))
            return;
        var expected = c switch { ')' => '(', ']' => '[', _ => '{' };
        if (openBrackets.Count == 0)
            throw Error(p, $"unexpected '{c}'");
        var (open, _) = openBrackets.Pop();
        if (open != expected)
            throw Error(p, $"unexpected '{c}': the '{open}' before it is not closed");
    }

    private int LexString(int p)
    {
        var quote = source[p];
        var end = p + 1;
        while (end < source.Length && source[end] != quote)
            end += source[end] == '\\' ? 2 : 1;
        if (end >= source.Length)
            throw Error(p, "unterminated string literal");
        tokens.Add(new TemplateToken(TokenKind.String, Unescape(source[(p + 1)..end], p), lines.PositionOf(p)));
        return end + 1;
    }

    // Jinja decodes string literals with Python's unicode-escape: unknown escapes stay as written.
    private string Unescape(string raw, int offset)
    {
        if (!raw.Contains('\\'))
            return raw;
        var text = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != '\\' || i + 1 >= raw.Length)
            {
                text.Append(raw[i]);
                continue;
            }
            var escape = raw[++i];
            switch (escape)
            {
                case '\n': break;
                case '\\': text.Append('\\'); break;
                case '\'': text.Append('\''); break;
                case '"': text.Append('"'); break;
                case 'a': text.Append('\a'); break;
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case 'v': text.Append('\v'); break;
                case 'x': text.Append(HexEscape(raw, ref i, 2, offset)); break;
                case 'u': text.Append(HexEscape(raw, ref i, 4, offset)); break;
                case 'U': text.Append(HexEscape(raw, ref i, 8, offset)); break;
                case >= '0' and <= '7':
                    var octalEnd = i;
                    while (octalEnd + 1 < raw.Length && octalEnd - i < 2 && raw[octalEnd + 1] is >= '0' and <= '7')
                        octalEnd++;
                    text.Append((char)Convert.ToInt32(raw[i..(octalEnd + 1)], 8));
                    i = octalEnd;
                    break;
                default:
                    text.Append('\\').Append(escape);
                    break;
            }
        }
        return text.ToString();
    }

    private string HexEscape(string raw, ref int i, int digits, int offset)
    {
        var hex = i + digits < raw.Length ? raw.Substring(i + 1, digits) : "";
        if (hex.Length != digits || !int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
            || code > 0x10FFFF)
            throw Error(offset, $"invalid \\{raw[i]} escape in a string literal");
        i += digits;
        // Python keeps lone surrogates from \uD83D-style escapes; a UTF-16 string can hold them too.
        return code <= 0xFFFF ? ((char)code).ToString() : char.ConvertFromUtf32(code);
    }

    // Jinja's number syntax: digits with single underscores, an optional fraction and exponent.
    private int LexNumber(int p)
    {
        var end = SkipDigits(p);
        var isFloat = false;
        if (end + 1 < source.Length && source[end] == '.' && char.IsAsciiDigit(source[end + 1]))
        {
            end = SkipDigits(end + 1);
            isFloat = true;
        }
        if (end < source.Length && source[end] is 'e' or 'E')
        {
            var exponent = end + 1;
            if (exponent < source.Length && source[exponent] is '+' or '-')
                exponent++;
            if (exponent < source.Length && char.IsAsciiDigit(source[exponent]))
            {
                end = SkipDigits(exponent);
                isFloat = true;
            }
        }
        var digits = source[p..end].Replace("_", "");
        var position = lines.PositionOf(p);
        if (isFloat)
            tokens.Add(new TemplateToken(TokenKind.Float, source[p..end], position, double.Parse(digits, NumberStyles.Float, CultureInfo.InvariantCulture)));
        else if (long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var integer))
            tokens.Add(new TemplateToken(TokenKind.Integer, source[p..end], position, integer));
        else
            throw Error(p, $"integer literal {source[p..end]} is too large");
        return end;
    }

    private int SkipDigits(int p)
    {
        var end = p;
        while (end < source.Length && (char.IsAsciiDigit(source[end])
            || (source[end] == '_' && end + 1 < source.Length && char.IsAsciiDigit(source[end + 1]) && end > p)))
            end++;
        return end;
    }

    private int SkipWhitespace(int p)
    {
        while (p < source.Length && PythonText.IsSpace(source[p]))
            p++;
        return p;
    }

    private ChatTemplateException Error(int offset, string reason)
    {
        var at = lines.PositionOf(offset);
        return new ChatTemplateException(reason, at.Line, at.Column);
    }
}
