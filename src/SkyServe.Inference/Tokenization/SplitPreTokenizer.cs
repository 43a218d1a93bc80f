using System.Text.RegularExpressions;

namespace SkyServe.Inference.Tokenization;

/// <summary>tokenizer.json's Split pre-tokenizer: cuts at a regex or literal pattern (Llama 3 and Qwen2 carry their split regex here).</summary>
internal sealed class SplitPreTokenizer(CodePointRegex pattern, SplitBehavior behavior, bool invert) : IPreTokenizer
{
    public static SplitPreTokenizer ForLiteral(string literal, SplitBehavior behavior, bool invert) =>
        new(new CodePointRegex(Regex.Escape(literal)), behavior, invert);

    public void Split(PreToken piece, List<PreToken> output) =>
        DelimiterSplitter.Split(piece, pattern.Matches(piece.Text), behavior, invert, output);
}
