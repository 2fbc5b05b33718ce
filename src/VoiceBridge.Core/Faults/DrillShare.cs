using System.Globalization;

namespace VoiceBridge.Faults;

/// <summary>
/// Which new calls a share drill takes: a deterministic accumulator, not a coin. Each call adds the
/// share (in hundredths of a percent) and is drilled when the sum reaches 100 %, which it then
/// gives back, so 50 % of 10 calls is exactly 5 (the 2nd, 4th, ...) and 1 % is every 100th call.
/// Thread-safe: calls start concurrently.
/// </summary>
public sealed class DrillShare
{
    private const int Whole = 10_000;
    private readonly Lock _gate = new();
    private readonly int _basisPoints;
    private int _sum;

    /// <param name="percent">The share of new calls, more than 0 and at most 100, to 0.01 %.</param>
    public DrillShare(decimal percent)
    {
        if (ParseProblem(percent) is { } problem)
        {
            throw new ArgumentOutOfRangeException(nameof(percent), problem);
        }

        _basisPoints = (int)Math.Round(percent * 100m);
        Percent = percent;
    }

    public decimal Percent { get; }

    /// <summary>New calls seen so far.</summary>
    public long Seen { get; private set; }

    /// <summary>Of them, drilled.</summary>
    public long Taken { get; private set; }

    /// <summary>A new call: whether it is drilled.</summary>
    public bool Next()
    {
        lock (_gate)
        {
            Seen++;
            _sum += _basisPoints;
            if (_sum < Whole)
            {
                return false;
            }

            _sum -= Whole;
            Taken++;
            return true;
        }
    }

    /// <summary>Why <paramref name="percent"/> is no share; null when it is one.</summary>
    public static string? ParseProblem(decimal percent) =>
        percent is <= 0m or > 100m ? $"a share is more than 0 and at most 100 (percent), got {percent.ToString(CultureInfo.InvariantCulture)}"
        : percent * 100m != Math.Round(percent * 100m) ? $"a share is given to 0.01 %, got {percent.ToString(CultureInfo.InvariantCulture)}"
        : null;
}
