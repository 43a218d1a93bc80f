namespace SkyServe.Core.Catalog;

/// <summary>Bad catalog data. The message names the file, the line and column (1-based), and the key path.</summary>
public sealed class CatalogException : Exception
{
    public CatalogException(string fileName, int line, int column, string? keyPath, string detail)
        : base(Format(fileName, line, column, keyPath, detail))
    {
        FileName = fileName;
        Line = line;
        Column = column;
        KeyPath = keyPath;
        Detail = detail;
    }

    public string FileName { get; }

    /// <summary>1-based; 0 when the problem is the file or folder as a whole.</summary>
    public int Line { get; }

    public int Column { get; }

    /// <summary>e.g. <c>instance_types[2].regions[0].spot</c>; null for problems above the first key.</summary>
    public string? KeyPath { get; }

    public string Detail { get; }

    private static string Format(string fileName, int line, int column, string? keyPath, string detail)
    {
        var where = line > 0 ? $"{fileName}:{line}:{column}" : fileName;
        return keyPath is null ? $"{where}: {detail}" : $"{where}: {keyPath}: {detail}";
    }
}
