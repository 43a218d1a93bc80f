namespace SkyServe.Inference.Tokenization;

/// <summary>When Metaspace puts the replacement character in front of a piece.</summary>
internal enum MetaspacePrependScheme
{
    Always,
    First,
    Never,
}
