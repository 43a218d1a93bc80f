using System.Globalization;
using System.Text;

namespace SkyServe.Inference.Tokenization;

/// <summary>
/// tokenizer.json's ByteFallback decoder: runs of &lt;0xNN&gt; tokens become the text of their bytes;
/// a run that is not valid UTF-8 becomes one U+FFFD per byte, as Hugging Face does.
/// </summary>
internal sealed class ByteFallbackDecoder : ITokenDecoder
{
    private static readonly UTF8Encoding strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public List<string> DecodeChain(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        var pendingBytes = new List<byte>();
        foreach (var token in tokens)
        {
            if (TryParseByteToken(token, out var b))
            {
                pendingBytes.Add(b);
                continue;
            }
            Flush(pendingBytes, result);
            result.Add(token);
        }
        Flush(pendingBytes, result);
        return result;
    }

    private static bool TryParseByteToken(string token, out byte value)
    {
        value = 0;
        return token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
            && byte.TryParse(token.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    private static void Flush(List<byte> pendingBytes, List<string> result)
    {
        if (pendingBytes.Count == 0)
            return;
        try
        {
            result.Add(strictUtf8.GetString(pendingBytes.ToArray()));
        }
        catch (DecoderFallbackException)
        {
            for (var i = 0; i < pendingBytes.Count; i++)
                result.Add("\uFFFD");
        }
        pendingBytes.Clear();
    }
}
