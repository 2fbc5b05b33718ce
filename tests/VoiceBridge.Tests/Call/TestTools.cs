using System.Text.Json;
using VoiceBridge.Call.Tools;
using VoiceBridge.Engines;

namespace VoiceBridge.Tests.Call;

/// <summary>A tool that records how it was called and answers with a fixed output.</summary>
internal sealed class RecordingTool(string name, string output) : IAgentTool
{
    public ToolDefinition Definition { get; } = new(name, "records its calls", """{"type":"object","properties":{}}""");

    public List<(string Arguments, bool DryRun)> Calls { get; } = [];

    /// <summary>The context of each call, in order.</summary>
    public List<ToolContext> Contexts { get; } = [];

    public Task<string> InvokeAsync(JsonElement arguments, ToolContext context, CancellationToken cancellationToken)
    {
        Calls.Add((arguments.GetRawText(), context.DryRun));
        Contexts.Add(context);
        return Task.FromResult(output);
    }
}

/// <summary>A tool whose backend is down.</summary>
internal sealed class FailingTool(string name, string message) : IAgentTool
{
    public ToolDefinition Definition { get; } = new(name, "always fails", """{"type":"object","properties":{}}""");

    public Task<string> InvokeAsync(JsonElement arguments, ToolContext context, CancellationToken cancellationToken) =>
        throw new InvalidOperationException(message);
}

/// <summary>A tool whose backend answers when the test says so.</summary>
internal sealed class GatedTool(string name) : IAgentTool
{
    private readonly TaskCompletionSource<string> _result = new();

    public ToolDefinition Definition { get; } = new(name, "answers when released", """{"type":"object","properties":{}}""");

    public int Invocations { get; private set; }

    public void Release(string output) => _result.TrySetResult(output);

    public Task<string> InvokeAsync(JsonElement arguments, ToolContext context, CancellationToken cancellationToken)
    {
        Invocations++;
        return _result.Task;
    }
}
