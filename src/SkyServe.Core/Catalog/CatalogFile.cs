namespace SkyServe.Core.Catalog;

/// <summary>The text of one catalog file and the name errors should give for it.</summary>
public sealed record CatalogFile(string FileName, string Text);
