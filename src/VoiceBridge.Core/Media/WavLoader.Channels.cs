namespace VoiceBridge.Media;

public static partial class WavLoader
{
    /// <summary>
    /// Turns a recording's interleaved frames (any channel count, 16-bit scale) into the call's 8 kHz
    /// mono as <see cref="ChannelSelection"/> asks. For <see cref="ChannelSelection.Auto"/> on stereo
    /// both channels are converted and measured in one pass, and the choice is made at the end, so a
    /// file is read once whatever its format. Auto on more channels mixes them and measures each: the
    /// mix is made the mean of the channels with sound at the end (mixing is linear, so a scale does
    /// it), so a caller on one channel of six is not six times quieter.
    /// </summary>
    internal sealed class ChannelPicker
    {
        /// <summary>
        /// The longest recording read [4 hours]: it is held in memory at 8 kHz (230 MB a channel at the limit;
        /// a stereo file read with auto keeps both channels until it chooses), and a
        /// compressed header can claim far more audio than its file holds bytes (an Ogg page of 1-byte Opus
        /// packets says 60 ms each).
        /// </summary>
        public const long MaxRecordingSeconds = 4 * 3600;

        /// <summary>A channel whose RMS (16-bit scale) is under this is silent: below -80 dBFS, dither at most.</summary>
        private const double SilentRms = 3.3;

        /// <summary>The channels are the same when their difference is 20 dB under the louder one.</summary>
        private const double SameBelowDb = -20;

        private readonly ChannelSelection _selection;
        private readonly int _channels;
        private readonly int _sourceRate;
        private readonly CallRateConverter _first;
        private readonly CallRateConverter? _second;
        private readonly short[] _mono;
        private readonly short[]? _mono2;
        private readonly int _start;
        private readonly int _count;
        private readonly double[]? _channelEnergy;
        private double _energyLeft;
        private double _energyRight;
        private double _energyDifference;
        private long _frames;

        /// <exception cref="AudioFormatException">Nothing at 8 kHz would come of it, or the rate is unsupported.</exception>
        public ChannelPicker(string path, ChannelSelection selection, int channels, int sourceRate, long sourceFrames, int maxChunk)
        {
            _selection = selection;
            _channels = channels;
            _sourceRate = sourceRate;
            _mono = new short[maxChunk];
            _first = CreateConverter(path, sourceRate, sourceFrames, maxChunk);
            if (Measures)
            {
                _second = CreateConverter(path, sourceRate, sourceFrames, maxChunk);
                _mono2 = new short[maxChunk];
                (_start, _count) = (0, 1);
            }
            else
            {
                var mixes = selection == ChannelSelection.Mix || (selection == ChannelSelection.Auto && channels > 1);
                _start = selection == ChannelSelection.Right && channels > 1 ? 1 : 0;
                _count = mixes ? channels : 1;
                _channelEnergy = selection == ChannelSelection.Auto && channels > 2 ? new double[channels] : null;
            }
        }

        /// <summary>Auto on stereo: both channels kept until the end.</summary>
        private bool Measures => _selection == ChannelSelection.Auto && _channels == 2;

        /// <summary>Feeds <paramref name="frames"/> interleaved frames (at most maxChunk), samples on the 16-bit scale.</summary>
        public void Add(ReadOnlySpan<double> interleaved, int frames)
        {
            for (var f = 0; f < frames; f++)
            {
                var frame = interleaved.Slice(f * _channels, _channels);
                if (Measures)
                {
                    var (left, right) = (frame[0], frame[1]);
                    _energyLeft += left * left;
                    _energyRight += right * right;
                    _energyDifference += (left - right) * (left - right);
                    _mono[f] = ToShort(left);
                    _mono2![f] = ToShort(right);
                    continue;
                }

                double sum = 0;
                for (var c = _start; c < _start + _count; c++)
                {
                    sum += frame[c];
                    if (_channelEnergy is { } energy)
                    {
                        energy[c] += frame[c] * frame[c];
                    }
                }

                _mono[f] = ToShort(sum / _count);
            }

            _frames += frames;
            _first.Add(_mono.AsSpan(0, frames));
            _second?.Add(_mono2.AsSpan(0, frames));
        }

        /// <summary>
        /// As <see cref="Finish()"/>, for a picker made with an upper bound of the source's frames: the
        /// result ends where the <paramref name="sourceFrames"/> actually fed end.
        /// </summary>
        public (short[] Samples, string Choice) Finish(long sourceFrames)
        {
            long callSamples = CallSamples(sourceFrames, _sourceRate);
            _first.EndAt(callSamples);
            _second?.EndAt(callSamples);
            return Finish();
        }

        /// <summary>The call-rate samples and which channel they are, with the reason.</summary>
        public (short[] Samples, string Choice) Finish()
        {
            var first = _first.Finish();
            if (!Measures)
            {
                return _channelEnergy is { } energy ? MeanOfChannelsWithSound(first, energy) : (first, Describe());
            }

            var second = _second!.Finish();
            double rmsLeft = Rms(_energyLeft), rmsRight = Rms(_energyRight);
            var louder = Math.Max(_energyLeft, _energyRight);
            var differenceDb = louder > 0 ? 10 * Math.Log10(Math.Max(_energyDifference, 1e-9) / louder) : double.NegativeInfinity;
            bool leftSilent = rmsLeft < SilentRms, rightSilent = rmsRight < SilentRms;
            if (leftSilent != rightSilent)
            {
                return leftSilent ? (second, "right (auto: the left channel is silent)") : (first, "left (auto: the right channel is silent)");
            }

            if (leftSilent || differenceDb <= SameBelowDb)
            {
                for (var i = 0; i < first.Length; i++)
                {
                    first[i] = (short)((first[i] + second[i]) >> 1);
                }

                return (first, leftSilent ? "mix (auto: both channels are silent)" : $"mix (auto: the two channels are {(_energyDifference == 0 ? "identical" : $"the same, their difference {differenceDb:0} dB under the signal")})");
            }

            return (first, $"left (auto: the channels differ, their difference {differenceDb:0} dB against the louder; a Twilio dual-channel recording has the caller on the left, the agent on the right)");
        }

        /// <summary>The mix of all channels made the mean of those with sound, when some are silent.</summary>
        private (short[] Samples, string Choice) MeanOfChannelsWithSound(short[] mix, double[] energy)
        {
            var withSound = energy.Count(e => Rms(e) >= SilentRms);
            if (withSound == 0 || withSound == _channels)
            {
                return (mix, Describe());
            }

            var scale = (double)_channels / withSound;
            for (var i = 0; i < mix.Length; i++)
            {
                mix[i] = ToShort(mix[i] * scale);
            }

            var which = string.Join(", ", Enumerable.Range(0, _channels).Where(c => Rms(energy[c]) >= SilentRms).Select(c => c + 1));
            return (mix, $"mix of channel{(withSound == 1 ? "" : "s")} {which} of {_channels} (auto: the others are silent)");
        }

        private string Describe() => (_selection, _channels) switch
        {
            (_, 1) => "mono",
            (ChannelSelection.Auto, _) => $"mix (auto: {_channels} channels)",
            (ChannelSelection.Mix, _) => $"mix of {_channels} channels (--channel mix)",
            (ChannelSelection.Left, _) => "left (--channel left)",
            _ => "right (--channel right)",
        };

        private double Rms(double energy) => _frames == 0 ? 0 : Math.Sqrt(energy / _frames);

        private static short ToShort(double value) => (short)Math.Clamp(Math.Round(value), short.MinValue, short.MaxValue);

        private static long CallSamples(long sourceFrames, int sourceRate) => ((sourceFrames * CallClock.SampleRate) + (sourceRate / 2)) / sourceRate;

        private static CallRateConverter CreateConverter(string path, int sourceRate, long sourceFrames, int maxChunk)
        {
            long callSamples = CallSamples(sourceFrames, sourceRate);
            if (callSamples == 0)
            {
                throw new AudioFormatException(path, "no audio: too short to give one sample at 8 kHz");
            }

            if (callSamples > MaxRecordingSeconds * CallClock.SampleRate)
            {
                throw new AudioFormatException(path, $"too long: {TimeSpan.FromSeconds(callSamples / CallClock.SampleRate):g} of audio, a recording may hold at most {MaxRecordingSeconds / 3600} hours");
            }

            try
            {
                return new CallRateConverter(sourceRate, callSamples, maxChunk);
            }
            catch (ArgumentOutOfRangeException)
            {
                throw new AudioFormatException(path, $"unsupported sample rate: {sourceRate} Hz");
            }
        }
    }
}
