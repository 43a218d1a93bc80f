namespace SkyServe.Inference.Tokenization;

/// <summary>
/// GPT-2's reversible map from bytes to printable characters: byte-level vocabularies spell every
/// byte as one visible character, so BPE can run on strings with no whitespace or control bytes.
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] charOfByte = BuildCharOfByte();
    private static readonly Dictionary<char, byte> byteOfChar = BuildByteOfChar();

    public static bool TryGetByte(char c, out byte value) => byteOfChar.TryGetValue(c, out value);

    /// <summary>The UTF-8 bytes of <paramref name="text"/>, each spelled as its alphabet character.</summary>
    public static string Encode(string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        return string.Create(bytes.Length, bytes, static (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
                chars[i] = charOfByte[source[i]];
        });
    }

    private static char[] BuildCharOfByte()
    {
        // Printable Latin-1 bytes keep their own code point; the rest move to 256 and up, in order.
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    private static Dictionary<char, byte> BuildByteOfChar()
    {
        var map = new Dictionary<char, byte>(256);
        for (var b = 0; b < 256; b++)
            map[charOfByte[b]] = (byte)b;
        return map;
    }
}
