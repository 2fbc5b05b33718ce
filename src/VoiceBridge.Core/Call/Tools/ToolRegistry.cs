using System.Text.Json;
using VoiceBridge.Engines;

namespace VoiceBridge.Call.Tools;

/// <summary>A tool the call session runs on behalf of whichever engine asked for it.</summary>
public interface IAgentTool
{
    ToolDefinition Definition { get; }

    /// <summary>Runs the tool; <paramref name="dryRun"/> (replay, drills) must have no side effects outside the call.</summary>
    Task<string> InvokeAsync(JsonElement arguments, bool dryRun, CancellationToken cancellationToken);
}

/// <summary>The tools of a deployment, by name. Unknown tools, bad arguments and a tool that fails give an error result the model can read.</summary>
public sealed class ToolRegistry(IEnumerable<IAgentTool> tools)
{
    private readonly Dictionary<string, IAgentTool> _tools = tools.ToDictionary(t => t.Definition.Name, StringComparer.Ordinal);

    public IReadOnlyList<ToolDefinition> Definitions => [.. _tools.Values.Select(t => t.Definition)];

    public async Task<string> InvokeAsync(string name, string arguments, bool dryRun, CancellationToken cancellationToken)
    {
        if (!_tools.TryGetValue(name, out var tool))
        {
            return JsonSerializer.Serialize(new { error = $"unknown tool '{name}'" });
        }

        JsonElement args;
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(arguments) ? "{}" : arguments);
            args = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return JsonSerializer.Serialize(new { error = $"arguments of '{name}' are not valid JSON: {e.Message}" });
        }

        try
        {
            return await tool.InvokeAsync(args, dryRun, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The model waits for this call's output: a failing tool answers with its error too.
            return JsonSerializer.Serialize(new { error = $"tool '{name}' failed: {e.Message}" });
        }
    }
}
