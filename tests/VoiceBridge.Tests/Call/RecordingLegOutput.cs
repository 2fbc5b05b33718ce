using VoiceBridge.Legs;
using VoiceBridge.Media;

namespace VoiceBridge.Tests.Call;

internal enum LegEventKind
{
    Audio,
    Mark,
    Clear,
}

/// <summary>One thing the playout buffer did to the leg, in order; <see cref="FramesBefore"/> counts frames sent before it.</summary>
internal sealed record LegEvent(LegEventKind Kind, byte[]? Frame, string? Mark, int FramesBefore);

/// <summary>A caller leg output that records every frame, mark and clear it is given, in order.</summary>
internal sealed class RecordingLegOutput : ICallerLegOutput
{
    private readonly Dictionary<string, PlayoutMark> _marksByName = [];

    public List<LegEvent> Events { get; } = [];

    public List<byte[]> Frames { get; } = [];

    /// <summary>Marks in the order sent, with how many frames had been sent before each.</summary>
    public List<(string Name, int FramesBefore)> Marks { get; } = [];

    public int Clears { get; private set; }

    /// <summary>Called with each mark as it is sent, on the sending thread (a carrier that echoes at once).</summary>
    public Action<PlayoutMark>? MarkSent { get; set; }

    public void SendAudio(ReadOnlySpan<byte> frame)
    {
        var copy = frame.ToArray();
        Events.Add(new LegEvent(LegEventKind.Audio, copy, null, Frames.Count));
        Frames.Add(copy);
    }

    public void SendMark(PlayoutMark mark)
    {
        var name = mark.ToString();
        Events.Add(new LegEvent(LegEventKind.Mark, null, name, Frames.Count));
        Marks.Add((name, Frames.Count));
        _marksByName[name] = mark;
        MarkSent?.Invoke(mark);
    }

    /// <summary>The mark sent under <paramref name="name"/> (as a carrier would echo it).</summary>
    public PlayoutMark MarkNamed(string name) => _marksByName[name];

    public void Clear()
    {
        Events.Add(new LegEvent(LegEventKind.Clear, null, null, Frames.Count));
        Clears++;
    }

    /// <summary>Frames sent when the session hung up, or null while it has not.</summary>
    public int? HungUpAfterFrames { get; private set; }

    public void HangUp() => HungUpAfterFrames ??= Frames.Count;

    /// <summary>Transfers asked for, with the frames sent before each.</summary>
    public List<(string Target, int FramesBefore)> Transfers { get; } = [];

    /// <summary>What a transfer does: null accepts it, an exception is the carrier refusing.</summary>
    public Func<string, Exception?> TransferOutcome { get; set; } = _ => null;

    public Task TransferAsync(string target, CancellationToken cancellationToken)
    {
        Transfers.Add((target, Frames.Count));
        return TransferOutcome(target) is { } failure ? Task.FromException(failure) : Task.CompletedTask;
    }

    /// <summary>Names of the marks a carrier would echo once it has played <paramref name="framesPlayed"/> frames.</summary>
    public List<string> MarksPlayedBy(int framesPlayed) => [.. Marks.Where(m => m.FramesBefore <= framesPlayed).Select(m => m.Name)];

    /// <summary>All frames sent, concatenated.</summary>
    public byte[] AllAudio() => [.. Frames.SelectMany(f => f)];

    public static byte[] Silence(int samples) => Enumerable.Repeat(G711.MuLawSilence, samples).ToArray();
}
