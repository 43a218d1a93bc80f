using System.Text;

namespace SkyServe.Inference.Tokenization;

/// <summary>
/// tokenizer.json's ByteLevel decoder: maps alphabet characters back to bytes and decodes the bytes of
/// all tokens together as UTF-8, so a character split across tokens comes out whole (incomplete
/// sequences become U+FFFD). A token with characters outside the alphabet contributes its own UTF-8.
/// </summary>
internal sealed class ByteLevelDecoder : ITokenDecoder
{
    public List<string> DecodeChain(List<string> tokens)
    {
        var bytes = new List<byte>();
        foreach (var token in tokens)
        {
            var start = bytes.Count;
            foreach (var c in token)
            {
                if (!ByteLevelAlphabet.TryGetByte(c, out var b))
                {
                    bytes.RemoveRange(start, bytes.Count - start);
                    bytes.AddRange(Encoding.UTF8.GetBytes(token));
                    break;
                }
                bytes.Add(b);
            }
        }
        return [Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes))];
    }
}
