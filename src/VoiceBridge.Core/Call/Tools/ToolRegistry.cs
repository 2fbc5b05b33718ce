using System.Text.Json;
using VoiceBridge.Engines;

namespace VoiceBridge.Call.Tools;

/// <summary>A tool the call session runs on behalf of whichever engine asked for it.</summary>
public interface IAgentTool
{
    ToolDefinition Definition { get; }

    /// <summary>
    /// Runs the tool for one call item. <see cref="ToolContext.IdempotencyKey"/> names the logical
    /// call (pass it to a backend that deduplicates); under <see cref="ToolContext.DryRun"/>
    /// (replay, drills) the tool must have no side effects outside the call.
    /// </summary>
    Task<string> InvokeAsync(JsonElement arguments, ToolContext context, CancellationToken cancellationToken);
}

/// <summary>
/// What a tool invocation knows about its call: the call's id, the invocation's idempotency key
/// (the same for a call an engine re-issues after a failover), whether it is a dry run, and the
/// call itself, for the built-in tools that act on it (<see cref="HangUpTool"/>, <see cref="TransferTool"/>, <see cref="SendDtmfTool"/>).
/// </summary>
public sealed record ToolContext(string CallId, string IdempotencyKey, bool DryRun, ICallControl Call)
{
    /// <summary>A context outside any call (a tool tried on its own): a fresh key, and no call to act on.</summary>
    public static ToolContext OutsideCall(bool dryRun) => new("", "outside-call:" + Guid.NewGuid().ToString("N"), dryRun, NoCall.Instance);

    private sealed class NoCall : ICallControl
    {
        public static readonly NoCall Instance = new();

        public ValueTask<CallControlResult> RequestHangUpAsync(string reason, CancellationToken cancellationToken) =>
            ValueTask.FromResult(CallControlResult.Refused("there is no call to hang up"));

        public ValueTask<CallControlResult> RequestTransferAsync(string? target, string reason, CancellationToken cancellationToken) =>
            ValueTask.FromResult(CallControlResult.Refused("there is no call to transfer"));

        public CallControlResult SendDigits(string digits) => CallControlResult.Refused("there is no call to press keys on");
    }
}

/// <summary>Running a tool outside a call.</summary>
public static class AgentToolExtensions
{
    /// <summary>Runs <paramref name="tool"/> on its own (<see cref="ToolContext.OutsideCall"/>): tests, and tools that do not act on the call.</summary>
    public static Task<string> InvokeAsync(this IAgentTool tool, JsonElement arguments, bool dryRun, CancellationToken cancellationToken) =>
        tool.InvokeAsync(arguments, ToolContext.OutsideCall(dryRun), cancellationToken);
}

/// <summary>The tools of a deployment, by name. Unknown tools, bad arguments and a tool that fails give an error result the model can read.</summary>
public sealed class ToolRegistry(IEnumerable<IAgentTool> tools)
{
    private readonly Dictionary<string, IAgentTool> _tools = tools.ToDictionary(t => t.Definition.Name, StringComparer.Ordinal);

    public IReadOnlyList<ToolDefinition> Definitions => [.. _tools.Values.Select(t => t.Definition)];

    /// <summary>The tools every deployment has: <c>hangup</c>, <c>transfer</c> and <c>send_dtmf</c>.</summary>
    public static IReadOnlyList<IAgentTool> BuiltIns() => [new HangUpTool(), new TransferTool(), new SendDtmfTool()];

    /// <summary>A deployment's own tools and the built-in ones.</summary>
    public static ToolRegistry WithBuiltIns(params IEnumerable<IAgentTool> deployment) => new([.. deployment, .. BuiltIns()]);

    /// <summary>An error result, as the model reads it: <c>{"error":"..."}</c>.</summary>
    public static string Error(string message) => JsonSerializer.Serialize(new { error = message });

    /// <summary>True when <paramref name="output"/> is an error result (the tool did not do its work).</summary>
    public static bool IsError(string output)
    {
        if (!output.StartsWith("{\"error\":", StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(output);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public async Task<string> InvokeAsync(string name, string arguments, ToolContext context, CancellationToken cancellationToken)
    {
        if (!_tools.TryGetValue(name, out var tool))
        {
            return Error($"unknown tool '{name}'");
        }

        JsonElement args;
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(arguments) ? "{}" : arguments);
            args = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return Error($"arguments of '{name}' are not valid JSON: {e.Message}");
        }

        try
        {
            return await tool.InvokeAsync(args, context, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The model waits for this call's output: a failing tool answers with its error too.
            return Error($"tool '{name}' failed: {e.Message}");
        }
    }

    /// <summary>
    /// The arguments in one canonical form (object members sorted by name, no whitespace), so two
    /// engines asking the same thing in different spellings are seen as the same call; text that
    /// is not JSON is kept as it is.
    /// </summary>
    public static string CanonicalArguments(string arguments)
    {
        if (string.IsNullOrWhiteSpace(arguments))
        {
            return "{}";
        }

        try
        {
            using var doc = JsonDocument.Parse(arguments);
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                WriteCanonical(writer, doc.RootElement);
            }

            return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a property name with a lone surrogate escape fails only when it is read.
            return arguments;
        }
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteCanonical(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
