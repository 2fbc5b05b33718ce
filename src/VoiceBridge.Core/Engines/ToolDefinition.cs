namespace VoiceBridge.Engines;

/// <summary>
/// A tool, defined once and translated by each engine adapter into its provider's schema.
/// <see cref="ParametersJsonSchema"/> is a JSON Schema object.
/// </summary>
public sealed record ToolDefinition(string Name, string Description, string ParametersJsonSchema);
